require "open-uri"

class FeedsController < ApplicationController
  def preview
    feed_url = params[:feed_url]
    xml = URI.open(feed_url).read
    @items = RSS::Parser.parse(xml).items.first(10)
  end
end
