import WebKit

final class ChatViewController: UIViewController {
    @IBOutlet private var webView: WKWebView!

    func show(message: Message) async throws {
        _ = try await webView.callAsyncJavaScript(
            "appendMessage(sender, text)",
            arguments: ["sender": message.sender, "text": message.text],
            contentWorld: .page)
        webView.evaluateJavaScript("window.scrollTo(0, document.body.scrollHeight)", completionHandler: nil)
    }
}
