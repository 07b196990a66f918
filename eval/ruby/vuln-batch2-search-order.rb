class ArticlesController < ApplicationController
  def index
    direction = params[:dir] == "asc" ? "ASC" : "DESC"
    @articles = Article.published.order("#{params[:column]} #{direction}").limit(20)
  end
end
