class PasswordResetsController < ApplicationController
  def create
    user = User.find_by(email: params[:email])
    if user
      code = rand(100_000..999_999).to_s
      user.update!(reset_code: code, reset_sent_at: Time.current)
      UserMailer.reset_code(user, code).deliver_later
    end
    head :accepted
  end
end
