# corgi-expect: ruby-dataflow-sql
class OrdersController < ApplicationController
  def index
    state = params[:state]
    since = params[:since]
    condition = "state = '#{state}'"
    condition += " AND created_at > '#{since}'" if since
    @orders = Order.where(condition).limit(50)
    render json: @orders
  end
end
