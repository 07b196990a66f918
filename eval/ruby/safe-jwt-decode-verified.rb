class Api::BaseController < ActionController::API
  before_action :authenticate!

  private

  def authenticate!
    token = request.headers["Authorization"].to_s.delete_prefix("Bearer ")
    payload, _header = JWT.decode(token, Rails.application.credentials.jwt_public_key, true,
                                  algorithm: "RS256", aud: "api", verify_aud: true)
    @current_user = User.find(payload["sub"])
  rescue JWT::DecodeError, ActiveRecord::RecordNotFound
    head :unauthorized
  end
end
