# corgi-expect: ruby-session-key-from-params
class PreferencesController < ApplicationController
  def update
    session[params[:name]] = params[:value]
    head :no_content
  end
end
