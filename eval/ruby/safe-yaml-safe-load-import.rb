class Imports::WorkflowsController < ApplicationController
  def create
    definition = YAML.safe_load(params[:file].read, permitted_classes: [Date])
    workflow = current_team.workflows.create!(name: definition["name"], steps: definition["steps"])
    redirect_to workflow
  end
end
