class PricingRule < ApplicationRecord
  # formula is entered by account admins, e.g. "base * 1.2 + shipping"
  def price_for(order)
    ctx = OpenStruct.new(base: order.subtotal, shipping: order.shipping_cost)
    ctx.instance_eval(formula)
  end
end
