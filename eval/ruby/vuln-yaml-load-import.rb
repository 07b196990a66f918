class Imports::WorkflowsController < ApplicationController
  def create
    definition = YAML.load(params[:file].read)
    workflow = current_team.workflows.create!(name: definition["name"], steps: definition["steps"])
    redirect_to workflow
  end
end
