# corgi-expect: ruby-xml-entity-expansion
class FeedImportsController < ApplicationController
  def create
    doc = Nokogiri::XML(request.body.read) { |config| config.strict.noent }
    @titles = doc.xpath("//item/title").map(&:text)
  end
end
