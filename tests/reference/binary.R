# Golden values for evidencekit.stats.binary (and the log-OR z test).
source("_common.R")
out <- list()
dat <- dat.bcg  # BCG vaccine trials (Colditz et al. 1994), metadat
args <- list(ai = dat$tpos, bi = dat$tneg, ci = dat$cpos, di = dat$cneg)
row <- function(measure) {
  es <- do.call(escalc, c(list(measure = measure), args)); print(es)
  list(yi = as.numeric(es$yi), vi = as.numeric(es$vi))
}
or <- row("OR"); rr <- row("RR"); rd <- row("RD")
out$bcg <- list(
  source = "escalc(measure='OR'|'RR'|'RD', ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg); p = 2*pnorm(-abs(yi_OR/sqrt(vi_OR)))",
  rows = data.frame(trial = dat$trial, n_t = dat$tpos + dat$tneg, events_t = dat$tpos,
                    n_c = dat$cpos + dat$cneg, events_c = dat$cpos,
                    log_or = or$yi, var_log_or = or$vi, log_rr = rr$yi, var_log_rr = rr$vi,
                    rd = rd$yi, var_rd = rd$vi,
                    p_value = 2 * pnorm(-abs(or$yi / sqrt(or$vi)))))

## Zero cells: metafor adds 1/2 to every cell of a table with a zero (add=1/2, to="only0").
zero <- data.frame(n_t = c(50, 40, 30), events_t = c(0, 40, 0), n_c = c(50, 40, 30), events_c = c(5, 31, 0))
zargs <- list(ai = zero$events_t, n1i = zero$n_t, ci = zero$events_c, n2i = zero$n_c)
zor <- do.call(escalc, c(list(measure = "OR"), zargs)); print(zor)
zrr <- do.call(escalc, c(list(measure = "RR"), zargs)); print(zrr)
out$zero_cells <- list(
  source = "escalc(measure='OR'|'RR', ai, n1i, ci, n2i) with default add=1/2, to='only0'",
  rows = cbind(zero, log_or = as.numeric(zor$yi), var_log_or = as.numeric(zor$vi),
               log_rr = as.numeric(zrr$yi), var_log_rr = as.numeric(zrr$vi)))

write_golden(out, "binary")
