class HelpController < ApplicationController
  TOPICS = %w[billing accounts exports].freeze

  def show
    topic = TOPICS.include?(params[:topic]) ? params[:topic] : "index"
    render template: "help/#{topic}"
  end
end
