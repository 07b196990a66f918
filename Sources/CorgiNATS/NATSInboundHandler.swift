import NIOCore

/// Decodes inbound bytes into operations on the event loop and hands them to the connection's
/// read loop. A protocol error or a channel error ends the stream with that error and closes the
/// channel; a closed channel ends it normally.
final class NATSInboundHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var parser = NATSParser()
    private let continuation: AsyncThrowingStream<ServerOperation, any Error>.Continuation
    private var failed = false

    init(continuation: AsyncThrowingStream<ServerOperation, any Error>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        parser.append(unwrapInboundIn(data))
        do {
            while let operation = try parser.next() {
                continuation.yield(operation)
            }
        } catch {
            fail(context: context, error: error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, error: error)
    }

    private func fail(context: ChannelHandlerContext, error: any Error) {
        failed = true
        continuation.finish(throwing: error)
        context.close(promise: nil)
    }
}
