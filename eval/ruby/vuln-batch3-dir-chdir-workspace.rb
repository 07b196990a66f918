# corgi-expect: ruby-path-traversal
class WorkspacesController < ApplicationController
  def listing
    Dir.chdir("/srv/workspaces/#{params[:workspace]}") do
      render json: Dir.children(".")
    end
  end
end
