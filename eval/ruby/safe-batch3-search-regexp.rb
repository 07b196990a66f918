class TagsController < ApplicationController
  def search
    pattern = Regexp.new(Regexp.escape(params[:q].to_s), Regexp::IGNORECASE)
    render json: Tag.pluck(:name).grep(pattern)
  end
end
