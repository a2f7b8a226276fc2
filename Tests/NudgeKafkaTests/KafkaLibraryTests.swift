@testable import NudgeKafka
import Testing

@Suite("librdkafka version")
struct KafkaLibraryTests {
    @Test("the loaded librdkafka is at least 2.1 and reports its version")
    func versionIsSupported() throws {
        #expect(KafkaLibrary.version >= KafkaLibrary.minimumVersion)
        #expect(KafkaLibrary.versionString.hasPrefix("2."))
        #expect(!KafkaLibrary.versionString.hasPrefix("2.0."))
        try KafkaLibrary.checkVersion()
    }

    @Test("an older librdkafka is refused with the found version and the fix")
    func olderVersionIsRefused() {
        let error = #expect(throws: KafkaError.self) {
            try KafkaLibrary.check(version: 0x0200_02ff, versionString: "2.0.2")
        }
        #expect(error?.code == .libraryTooOld)
        #expect(error?.message.contains("2.0.2") == true)
        #expect(error?.message.contains("scripts/install-deps.sh") == true)
    }
}
