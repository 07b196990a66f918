class TemplatesController < ApplicationController
  def preview
    template = Liquid::Template.parse(params[:body])
    @rendered = template.render("user" => { "name" => current_user.name })
    render :preview
  end
end
