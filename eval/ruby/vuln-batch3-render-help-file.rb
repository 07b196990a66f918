# corgi-expect: ruby-render-file-dynamic
class HelpController < ApplicationController
  def show
    render file: "#{Rails.root}/app/views/help/#{params[:topic]}.html.erb"
  end
end
