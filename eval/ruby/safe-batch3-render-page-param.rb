class StaticPagesController < ApplicationController
  PAGES = %w[about pricing contact].freeze

  def show
    page = PAGES.include?(params[:page]) ? params[:page] : "about"
    render "static_pages/#{page}"
  end
end
