# Golden values for evidencekit.stats.smd and .convert (continuous outcomes).
source("_common.R")
out <- list()

## Exact J(m): metafor's internal .cmicalc(), used by escalc(measure = "SMD").
m <- c(2, 3, 5, 10, 18, 38, 100, 1000)
out$hedges_j <- list(source = "metafor:::.cmicalc(m)", m = m, j = metafor:::.cmicalc(m))
print(out$hedges_j)

## escalc(measure = "SMD") on every row of dat.normand1999 (metadat), vtype "LS" (default).
dat <- dat.normand1999
es <- escalc(measure = "SMD", m1i = m1i, sd1i = sd1i, n1i = n1i,
             m2i = m2i, sd2i = sd2i, n2i = n2i, data = dat)
print(es)
out$normand1999_smd <- list(
  source = "escalc(measure='SMD', m1i, sd1i, n1i, m2i, sd2i, n2i, data=dat.normand1999)",
  rows = data.frame(source = dat$source, n1i = dat$n1i, m1i = dat$m1i, sd1i = dat$sd1i,
                    n2i = dat$n2i, m2i = dat$m2i, sd2i = dat$sd2i,
                    yi = as.numeric(es$yi), vi = as.numeric(es$vi)))

## Student and Welch t-tests on R's sleep data (Cushny & Peebles 1905), group 2 vs group 1
## treated as independent, with the summaries evidencekit sees.
x <- sleep$extra[sleep$group == 2]; y <- sleep$extra[sleep$group == 1]
st <- t.test(x, y, var.equal = TRUE); print(st)
wt <- t.test(x, y); print(wt)
ttest_row <- function(x, y, st, wt, src) list(
  source = src,
  n_t = length(x), mean_t = mean(x), sd_t = sd(x),
  n_c = length(y), mean_c = mean(y), sd_c = sd(y),
  t = unname(st$statistic), df = unname(st$parameter), p_value = st$p.value,
  ci = as.numeric(st$conf.int), se = unname(st$stderr),
  t_welch = unname(wt$statistic), df_welch = unname(wt$parameter),
  p_value_welch = wt$p.value, se_welch = unname(wt$stderr))
out$sleep_ttest <- ttest_row(x, y, st, wt,
  "t.test(extra[group==2], extra[group==1], var.equal=TRUE) and Welch t.test(), datasets::sleep")

## Student and Welch t-tests from a summary (SPEC section 4 example): samples built with
## exactly these means and SDs.
x <- exact_sample(212, 54.1, 10.2, seed = 1); y <- exact_sample(205, 51.3, 9.8, seed = 2)
st <- t.test(x, y, var.equal = TRUE); print(st)
wt <- t.test(x, y); print(wt)
out$summary_ttest <- ttest_row(x, y, st, wt,
  "t.test(var.equal=TRUE) and Welch t.test() on samples with n/mean/sd 212/54.1/10.2 vs 205/51.3/9.8")
es <- escalc(measure = "SMD", m1i = 54.1, sd1i = 10.2, n1i = 212, m2i = 51.3, sd2i = 9.8, n2i = 205)
print(es)
out$summary_ttest$g <- as.numeric(es$yi); out$summary_ttest$vi <- as.numeric(es$vi)

## g from a t statistic: escalc(measure = "SMD", ti = , n1i = , n2i = ).
cases <- data.frame(t = c(2.41, -1.3, 0, 4.2), n_t = c(48, 20, 30, 150), n_c = c(51, 25, 30, 140))
es <- escalc(measure = "SMD", ti = cases$t, n1i = cases$n_t, n2i = cases$n_c); print(es)
out$from_t <- list(source = "escalc(measure='SMD', ti, n1i, n2i); p = 2*pt(-abs(t), n1i+n2i-2)",
  rows = cbind(cases, g = as.numeric(es$yi), vi = as.numeric(es$vi),
               p_value = 2 * pt(-abs(cases$t), cases$n_t + cases$n_c - 2)))

## g from a two-sided p and sign: t = sign * qt(1 - p/2, df), then escalc(ti = t).
cases <- data.frame(p = c(0.0178, 0.04, 0.5, 1), sign = c(1, -1, 1, 1),
                    n_t = c(48, 60, 12, 25), n_c = c(51, 58, 14, 25))
tt <- cases$sign * qt(1 - cases$p / 2, cases$n_t + cases$n_c - 2)
es <- escalc(measure = "SMD", ti = tt, n1i = cases$n_t, n2i = cases$n_c); print(es)
out$from_p <- list(source = "t = sign*qt(1-p/2, n1i+n2i-2); escalc(measure='SMD', ti=t, n1i, n2i)",
  rows = cbind(cases, t = tt, g = as.numeric(es$yi), vi = as.numeric(es$vi)))

write_golden(out, "smd")
