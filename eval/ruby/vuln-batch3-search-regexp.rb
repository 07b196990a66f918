# corgi-expect: ruby-regexp-injection
class TagsController < ApplicationController
  def search
    pattern = Regexp.new(params[:q], Regexp::IGNORECASE)
    render json: Tag.pluck(:name).grep(pattern)
  end
end
