class PaymentsController < ApplicationController
  protect_from_forgery with: :exception

  def create
    payment = current_user.payments.create!(payment_params)
    redirect_to payment
  end

  private

  def payment_params
    params.require(:payment).permit(:amount, :iban)
  end
end
