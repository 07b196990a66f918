class ApplicationController < ActionController::Base
  before_action :load_preferences

  private

  def load_preferences
    raw = cookies.encrypted[:prefs]
    @preferences = raw ? JSON.parse(raw) : {}
  rescue JSON::ParserError
    @preferences = {}
  end
end
