"""After the confirmed decision (DESIGN.md section 10): 审定 of the proposed list, 公示 with
objections (异议), revocation and 递补, 正式发文 of the final list, and 复核 of a final decision."""
