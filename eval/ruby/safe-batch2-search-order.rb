class ArticlesController < ApplicationController
  SORTABLE = %w[title published_at views].freeze

  def index
    column = SORTABLE.include?(params[:column]) ? params[:column] : "published_at"
    direction = params[:dir] == "asc" ? :asc : :desc
    @articles = Article.published.order(column => direction).limit(20)
  end
end
