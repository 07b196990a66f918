class ArchiveController < ApplicationController
  SORTS = { "title" => "title DESC", "date" => "published_at DESC" }.freeze

  def index
    @posts = Post.find(:all, :conditions => { :archived => true },
                       :order => SORTS.fetch(params[:sort], "published_at DESC"), :limit => 50)
  end
end
