# corgi-expect: ruby-dataflow-render-path
class StaticPagesController < ApplicationController
  def show
    page = params[:page]
    render page
  end
end
