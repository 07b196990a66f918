import WebKit

func makeReportWebView() -> WKWebView {
    let config = WKWebViewConfiguration()
    config.preferences.javaScriptCanOpenWindowsAutomatically = false
    config.websiteDataStore = .nonPersistent()
    return WKWebView(frame: .zero, configuration: config)
}
