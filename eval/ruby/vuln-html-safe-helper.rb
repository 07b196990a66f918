module CommentsHelper
  def render_comment(comment)
    body = comment.body.gsub(/@(\w+)/) { "<a href=\"/users/#{$1}\">@#{$1}</a>" }
    "<div class=\"comment\"><b>#{comment.author_name}</b> #{body}</div>".html_safe
  end
end
