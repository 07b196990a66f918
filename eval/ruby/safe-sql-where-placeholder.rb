class ProductsController < ApplicationController
  def search
    @products = Product.where("name ILIKE ?", "%#{Product.sanitize_sql_like(params[:q].to_s)}%")
                       .order(:name)
                       .limit(50)
    render :index
  end
end
