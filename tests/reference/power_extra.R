# Golden values for the planning functions added to evidencekit.stats.power:
# pwr::pwr.2p2n.test / pwr.2p.test (two proportions, Cohen's h = ES.h), pwr.t.test(type =
# "paired"), and the PowerUp! MDES of a two-level cluster-randomised trial with covariates
# (Dong & Maynard 2013, model CRA2_2; the PowerUpR package is not packaged for Debian, so its
# formula is coded here from the paper, eq. for MDES with R2_1, R2_2 and g* level-2 covariates).
source("_common.R")
out <- list()

props <- data.frame(p1 = c(0.40, 0.55, 0.10, 0.25), p2 = c(0.30, 0.50, 0.05, 0.40),
                    n1 = c(200, 500, 300, 80), n2 = c(150, 500, 600, 120),
                    alpha = c(0.05, 0.05, 0.01, 0.05))
props$h <- with(props, ES.h(p1, p2))
props$power <- mapply(function(h, n1, n2, a) pwr.2p2n.test(h = h, n1 = n1, n2 = n2, sig.level = a)$power,
                      props$h, props$n1, props$n2, props$alpha)
props$mdes_h <- mapply(function(n1, n2, a) pwr.2p2n.test(n1 = n1, n2 = n2, sig.level = a, power = 0.8)$h,
                       props$n1, props$n2, props$alpha)
props$n_equal <- mapply(function(h, a) pwr.2p.test(h = h, sig.level = a, power = 0.8)$n,
                        props$h, props$alpha)
props$n1_given_n2 <- mapply(function(h, n2, a) tryCatch(
  pwr.2p2n.test(h = h, n2 = n2, sig.level = a, power = 0.8)$n1, error = function(e) NA),
  props$h, props$n2, props$alpha)
print(props)
out$proportions <- list(source = "ES.h(p1, p2); pwr.2p2n.test(h, n1, n2)$power; pwr.2p2n.test(n1, n2, power=0.8)$h; pwr.2p.test(h, power=0.8)$n; pwr.2p2n.test(h, n2, power=0.8)$n1 (NA: none reaches the power)", rows = props)

# pwr's paired power expression, re-solved to a tight tolerance (pwr uses uniroot's default).
paired_power <- function(d, n, a) {
  nu <- n - 1; qu <- qt(a / 2, nu, lower = FALSE)
  pt(qu, nu, ncp = sqrt(n) * d, lower = FALSE) + pt(-qu, nu, ncp = sqrt(n) * d, lower = TRUE)
}
paired <- data.frame(n = c(30, 12, 100, 45), d = c(0.5, 0.9, 0.25, 0.4), alpha = c(0.05, 0.05, 0.01, 0.05))
paired$power <- mapply(function(n, d, a) pwr.t.test(n = n, d = d, sig.level = a, type = "paired")$power,
                       paired$n, paired$d, paired$alpha)
paired$mdes_pwr <- mapply(function(n, a) pwr.t.test(n = n, sig.level = a, power = 0.8, type = "paired")$d,
                          paired$n, paired$alpha)
paired$mdes_exact <- mapply(function(n, a) uniroot(function(d) paired_power(d, n, a) - 0.8, c(1e-7, 10), tol = 1e-13)$root,
                            paired$n, paired$alpha)
paired$n_pwr <- mapply(function(d, a) pwr.t.test(d = d, sig.level = a, power = 0.8, type = "paired")$n,
                       paired$d, paired$alpha)
paired$n_exact <- mapply(function(d, a) uniroot(function(n) paired_power(d, n, a) - 0.8, c(2 + 1e-10, 1e7), tol = 1e-13)$root,
                         paired$d, paired$alpha)
print(paired)
out$paired <- list(source = "pwr.t.test(type='paired'); *_exact: uniroot(tol=1e-13) on pwr's paired power expression", rows = paired)

# PowerUp! CRA2_2 (Dong & Maynard 2013): MDES = M_{J-g*-2} * sqrt(rho2 (1-R2_2)/(P(1-P)J) + (1-rho2)(1-R2_1)/(P(1-P)Jn)),
# M = qt(1-alpha/2, df) + qt(power, df), df = J - g* - 2 (two-tailed).
powerup_cra2 <- function(J, n, rho, R1, R2, g, P, alpha, power) {
  df <- J - g - 2
  M <- qt(1 - alpha / 2, df) + qt(power, df)
  M * sqrt(rho * (1 - R2) / (P * (1 - P) * J) + (1 - rho) * (1 - R1) / (P * (1 - P) * J * n))
}
cra <- data.frame(J = c(40, 40, 20, 60, 10), n = c(25, 25, 50, 20, 30), rho = c(0.2, 0.2, 0.1, 0.15, 0.05),
                  R1 = c(0, 0.5, 0.4, 0.6, 0.2), R2 = c(0, 0.5, 0.7, 0.6, 0.5), g = c(0, 1, 1, 3, 2),
                  P = c(0.5, 0.5, 0.5, 0.6, 0.5), alpha = c(0.05, 0.05, 0.05, 0.05, 0.1), power = c(0.8, 0.8, 0.8, 0.9, 0.8))
cra$mdes <- with(cra, powerup_cra2(J, n, rho, R1, R2, g, P, alpha, power))
print(cra)
out$cluster_covariates <- list(source = "PowerUp! CRA2_2 formula (Dong & Maynard 2013) coded in R with qt()", rows = cra)
write_golden(out, "power_extra")
