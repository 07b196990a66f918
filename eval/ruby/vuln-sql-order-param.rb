class Admin::UsersController < Admin::BaseController
  def index
    @users = User.active
                 .order(params[:sort])
                 .page(params[:page])
  end
end
