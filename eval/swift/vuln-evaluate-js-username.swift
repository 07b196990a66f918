import WebKit

final class ChatViewController: UIViewController {
    @IBOutlet private var webView: WKWebView!

    func show(message: Message) {
        let js = "appendMessage('\(message.sender)', '\(message.text)');"
        webView.evaluateJavaScript(js, completionHandler: nil)
    }
}
