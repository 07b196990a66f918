module CommentsHelper
  def render_comment(comment)
    content_tag(:div, class: "comment") do
      safe_join([content_tag(:b, comment.author_name), " ", sanitize(comment.body, tags: %w[a em strong])])
    end
  end
end
