import WebKit

final class ArticleViewController: UIViewController {
    let webView = WKWebView()

    func render(_ article: Article) {
        let html = "<html><body><h1>\(article.title)</h1>\(article.bodyHTML)</body></html>"
        webView.loadHTMLString(html, baseURL: Bundle.main.bundleURL)
    }
}
