# corgi-expect: ruby-sql-finder-options
class ArchiveController < ApplicationController
  def index
    @posts = Post.find(:all, :conditions => { :archived => true },
                       :order => "#{params[:sort]} DESC", :limit => 50)
  end
end
