class PasswordResetsController < ApplicationController
  def create
    user = User.find_by(email: params[:email])
    if user
      code = SecureRandom.random_number(100_000..999_999).to_s
      user.update!(reset_code_digest: BCrypt::Password.create(code), reset_sent_at: Time.current)
      UserMailer.reset_code(user, code).deliver_later
    end
    sleep(rand * 0.2)
    head :accepted
  end
end
