package com.example.rules;

import org.springframework.expression.*;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.web.bind.annotation.*;

@RestController
public class RuleController {
    private final ExpressionParser parser = new SpelExpressionParser();

    @PostMapping("/rules/evaluate")
    public Object evaluate(@RequestBody RuleRequest req) {
        Expression exp = parser.parseExpression(req.getExpression());
        return exp.getValue(new StandardEvaluationContext(req.getOrder()));
    }
}
