class ProductsController < ApplicationController
  def search
    @products = Product.where("name ILIKE '%#{params[:q]}%'")
                       .order(:name)
                       .limit(50)
    render :index
  end
end
