class ApplicationController < ActionController::Base
  before_action :load_preferences

  private

  def load_preferences
    raw = cookies[:prefs]
    @preferences = raw ? Marshal.load(Base64.decode64(raw)) : {}
  end
end
