class PricingRule < ApplicationRecord
  # formula is entered by account admins, e.g. "base * 1.2 + shipping"
  def price_for(order)
    Dentaku::Calculator.new.evaluate!(formula, base: order.subtotal, shipping: order.shipping_cost)
  end
end
