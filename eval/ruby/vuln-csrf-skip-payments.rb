class PaymentsController < ApplicationController
  skip_before_action :verify_authenticity_token, only: [:create]

  def create
    payment = current_user.payments.create!(amount: params[:amount], iban: params[:iban])
    redirect_to payment
  end
end
