import ArgumentParser
import NIOCore
import NIOPosix

/// The `nudge` command line: runs the platform and the tools around scenario files.
struct Nudge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nudge",
        abstract: "Event-driven, real-time trigger marketing.",
        subcommands: [
            RunCommand.self, EngineCommand.self, ValidateCommand.self, SimulateCommand.self, BacktestCommand.self,
            DeployCommand.self, MigrateCommand.self, KeysCommand.self, DispatchCommand.self, ServeCommand.self,
            BpmnCommand.self,
        ]
    )
}

@main
enum NudgeMain {
    /// Swift concurrency's tasks run on the NIO event loops that already do the process's
    /// network I/O (HTTP, PostgreSQL), instead of on a separate thread pool: a request no longer
    /// hops threads (and wakes one with a futex) between the socket and its handler, which was
    /// most of the content API's CPU per request. Blocking calls (librdkafka, hiredis) keep their
    /// own threads, so an event loop never blocks. Installed first, before any task is enqueued.
    static func main() async {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await Nudge.main()
    }
}
