class WorkspacesController < ApplicationController
  def listing
    workspace = current_user.workspaces.find(params[:id])
    Dir.chdir(workspace.root_path) do
      render json: Dir.children(".")
    end
  end
end
