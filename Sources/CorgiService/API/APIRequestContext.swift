public import CorgiAccess
public import Hummingbird
import Logging
import NIOCore

/// The context of `/api/v1` routes: the caller, once `APIKeyAuthenticator` has verified its key.
public struct APIRequestContext: ChildRequestContext {
    public typealias ParentContext = BasicRequestContext
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// The browser session's id when the caller signed in (not for API keys).
    public var sessionID: String?

    public init(context: BasicRequestContext) throws {
        self.coreContext = context.coreContext
        self.principal = nil
        self.sessionID = nil
    }

    /// Request bodies of the API are small JSON documents.
    public var maxUploadSize: Int { 16 * 1024 }
}
