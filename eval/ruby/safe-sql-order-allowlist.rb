class Admin::UsersController < Admin::BaseController
  SORTABLE = %w[name email created_at].freeze

  def index
    column = SORTABLE.include?(params[:sort]) ? params[:sort] : "created_at"
    @users = User.active
                 .order(column => :desc)
                 .page(params[:page])
  end
end
