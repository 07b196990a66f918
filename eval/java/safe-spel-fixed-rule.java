package com.example.rules;

import org.springframework.expression.*;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;

public class DiscountRule {
    private final Expression eligible = new SpelExpressionParser().parseExpression("total > 100 and country == 'FR'");

    public boolean applies(Order order) {
        EvaluationContext ctx = SimpleEvaluationContext.forReadOnlyDataBinding().withRootObject(order).build();
        return Boolean.TRUE.equals(eligible.getValue(ctx, Boolean.class));
    }
}
