import UIKit

final class ArticleViewController: UIViewController {
    private let titleLabel = UILabel()
    private let bodyView = UITextView()

    func render(_ article: Article) {
        titleLabel.text = article.title
        bodyView.attributedText = ArticleFormatter.attributedBody(from: article.markdown)
    }
}
