class OrdersController < ApplicationController
  def index
    state = params[:state]
    @orders = Order.where(state: state).where("created_at > ?", params[:since]).limit(50)
    render json: @orders
  end
end
