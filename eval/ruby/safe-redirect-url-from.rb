class SessionsController < ApplicationController
  def create
    user = User.authenticate_by(email: params[:email], password: params[:password])
    if user
      session[:user_id] = user.id
      redirect_to url_from(params[:return_to]) || dashboard_path
    else
      render :new, status: :unprocessable_entity
    end
  end
end
