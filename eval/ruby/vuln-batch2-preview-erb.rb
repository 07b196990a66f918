class TemplatesController < ApplicationController
  def preview
    template = ERB.new(params[:body])
    render html: template.result(binding).html_safe
  end
end
