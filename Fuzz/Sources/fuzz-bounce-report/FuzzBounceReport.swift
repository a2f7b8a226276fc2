import Feedback
import FuzzSupport

// A delivery status report (RFC 3464) read from the bounce Maildir: anyone can mail one.
@main
enum FuzzBounceReport {
    static func main() { runFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = DeliveryStatusReport.parse(String(decoding: fuzzBytes(data, size), as: UTF8.self))
    return 0
}
