class FeedImportsController < ApplicationController
  def create
    doc = Nokogiri::XML(request.body.read) { |config| config.strict.nonet }
    @titles = doc.xpath("//item/title").map(&:text)
  end
end
