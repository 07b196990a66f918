class PreferencesController < ApplicationController
  PREFERENCE_KEYS = { "theme" => :theme, "density" => :density }.freeze

  def update
    key = PREFERENCE_KEYS.fetch(params[:name]) { return head(:unprocessable_entity) }
    session[key] = params[:value].to_s[0, 32]
    head :no_content
  end
end
